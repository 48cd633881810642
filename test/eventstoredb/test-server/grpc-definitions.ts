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
 * The gRPC service definitions and messages that @eventstore/db-client ships (generated from EventStoreDB's .proto
 * files). The TEST SERVER is built from exactly these, so it speaks the wire format the client speaks.
 */
const require = createRequire(import.meta.url);
const generated = (file: string) => require.resolve(`@eventstore/db-client/generated/${file}`);
// google-protobuf is resolved from the generated files' location, so the server uses the client's own copy.
const requireBeside = createRequire(generated('streams_pb.js'));

export const streamsPb = require(generated('streams_pb.js')) as typeof StreamsPb;
export const streamsGrpc = require(generated('streams_grpc_pb.js')) as typeof StreamsGrpc;
export const sharedPb = require(generated('shared_pb.js')) as typeof SharedPb;
export const statusPb = require(generated('status_pb.js')) as typeof StatusPb;
export const serverFeaturesPb = require(generated('serverfeatures_pb.js')) as typeof ServerFeaturesPb;
export const serverFeaturesGrpc = require(generated('serverfeatures_grpc_pb.js')) as typeof ServerFeaturesGrpc;
export const anyPb = requireBeside('google-protobuf/google/protobuf/any_pb.js') as typeof AnyPb;
export const emptyPb = requireBeside('google-protobuf/google/protobuf/empty_pb.js') as typeof EmptyPb;
