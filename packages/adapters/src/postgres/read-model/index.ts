export { CheckpointConflictError, InvalidDocumentError, ReadModelSchemaTooNewError, ReadModelStatementError } from '../../shared/read-model/read-model-errors.js';
export { PostgresReadModelStore, type PostgresReadModelStoreOptions } from './postgres-read-model-store.js';
