/**
 * The embedded default storage: one SQLite file in WAL mode, through {@link
 * com.neurasea.store.sqlite.SqliteStorage#builder()} or, when the host asks for discovery, the
 * {@code sqlite} {@link com.neurasea.spi.StorageProvider}.
 */
package com.neurasea.store.sqlite;
