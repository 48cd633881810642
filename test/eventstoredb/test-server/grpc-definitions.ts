import { createRequire } from 'node:module';
import type * as AnyPb from 'google-protobuf/google/protobuf/any_pb.js';
import type * as EmptyPb from 'google-protobuf/google/protobuf/empty_pb.js';
import type * as ServerFeaturesGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import type * as ServerFeaturesPb from '@eventstore/db-client/generated/serverfeatures_pb.js';
import type * as SharedPb from '@eventstore/db-client/generated/shared_pb.js';
import type * as StatusPb from '@eventstore/db-client/generated/status_pb.js';
import type * as StreamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import type * as StreamsPb from '@eventstore/db-client/generated/streams_pb.js';

/**
 * The gRPC service definitions and messages that a client package ships (generated from EventStoreDB's, later
 * KurrentDB's, .proto files). The TEST SERVER is built from exactly these, so it speaks the wire format the client
 * speaks. @kurrent/kurrentdb-client 1.x ships the same v1 services (`event_store.client.streams.Streams`, ...) with a
 * few fields added; the types here are @eventstore/db-client's, which cover every field the server uses.
 *
 * One package per process: google-protobuf's generated code registers every message under one global name
 * (`proto.event_store.client.streams.ReadReq`, ...) and its methods look those names up when called, so whichever
 * package loads last replaces the other's classes, and the first one's calls then fail (with @kurrent/kurrentdb-client
 * loaded first, its `BatchAppendReq.Options.setDeadline21100` throws once @eventstore/db-client's definitions load).
 * The server therefore loads the definitions of the client package under test, and only that one.
 */
export type ProtocolPackage = '@eventstore/db-client' | '@kurrent/kurrentdb-client';

/** Where each package keeps its generated files. */
const GENERATED: Record<ProtocolPackage, string> = {
  '@eventstore/db-client': '@eventstore/db-client/generated',
  '@kurrent/kurrentdb-client': '@kurrent/kurrentdb-client/generated/kurrentdb/protocols/v1',
};

// Live bindings: the modules that build messages import these names and see them once `loadDefinitions` has run.
export let streamsPb: typeof StreamsPb;
export let streamsGrpc: typeof StreamsGrpc;
export let sharedPb: typeof SharedPb;
export let statusPb: typeof StatusPb;
export let serverFeaturesPb: typeof ServerFeaturesPb;
export let serverFeaturesGrpc: typeof ServerFeaturesGrpc;
export let anyPb: typeof AnyPb;
export let emptyPb: typeof EmptyPb;

let loaded: ProtocolPackage | undefined;

/** Loads the definitions of `protocolPackage`; refuses to switch to another package in the same process. */
export const loadDefinitions = (protocolPackage: ProtocolPackage): void => {
  if (loaded === protocolPackage) return;
  if (loaded !== undefined) {
    throw new Error(
      `This process's TEST SERVER already uses the gRPC definitions of ${loaded} and cannot load ${protocolPackage}'s: ` +
        `both register their messages under the same global google-protobuf names, so the later one would break the ` +
        `earlier one's calls. Run each client package in a test file (a process) of its own.`,
    );
  }
  const require = createRequire(import.meta.url);
  const generated = (file: string) => require.resolve(`${GENERATED[protocolPackage]}/${file}`);
  // google-protobuf is resolved from the generated files' location, so the server uses the client's own copy.
  const requireBeside = createRequire(generated('streams_pb.js'));
  streamsPb = require(generated('streams_pb.js')) as typeof StreamsPb;
  streamsGrpc = require(generated('streams_grpc_pb.js')) as typeof StreamsGrpc;
  sharedPb = require(generated('shared_pb.js')) as typeof SharedPb;
  statusPb = require(generated('status_pb.js')) as typeof StatusPb;
  serverFeaturesPb = require(generated('serverfeatures_pb.js')) as typeof ServerFeaturesPb;
  serverFeaturesGrpc = require(generated('serverfeatures_grpc_pb.js')) as typeof ServerFeaturesGrpc;
  anyPb = requireBeside('google-protobuf/google/protobuf/any_pb.js') as typeof AnyPb;
  emptyPb = requireBeside('google-protobuf/google/protobuf/empty_pb.js') as typeof EmptyPb;
  loaded = protocolPackage;
};
