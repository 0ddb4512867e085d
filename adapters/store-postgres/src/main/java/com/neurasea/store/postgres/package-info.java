/**
 * Shared storage for several platform instances on PostgreSQL, through {@link
 * com.neurasea.store.postgres.PostgresStorage#builder()} or, when the host asks for discovery, the
 * {@code postgres} {@link com.neurasea.spi.StorageProvider}. Instances tell each other about
 * changes with the LISTEN/NOTIFY {@link com.neurasea.store.postgres.PostgresChangeNotifier}.
 */
package com.neurasea.store.postgres;
