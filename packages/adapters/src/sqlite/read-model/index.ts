export { CheckpointConflictError, InvalidDocumentError, ReadModelSchemaTooNewError, ReadModelStatementError } from '../../shared/read-model/read-model-errors.js';
export { leaseFilePath } from './sqlite-lease.js';
export { SQLITE_READ_MODEL_MIGRATIONS, type SqliteReadModelMigration } from './sqlite-read-model-migrations.js';
export { SqliteReadModelStore, type SqliteReadModelStoreOptions } from './sqlite-read-model-store.js';
