/**
 * A portable Jdbi implementation of the NeuraSea stores, shared by the SQL storage adapters.
 *
 * <p>An adapter supplies a pooled {@link javax.sql.DataSource} and a {@link
 * com.neurasea.store.jdbc.SqlDialect} for the few differences between databases, and gets an open,
 * migrated {@link com.neurasea.spi.Storage} from {@link com.neurasea.store.jdbc.JdbcStorage#builder()}.
 */
package com.neurasea.store.jdbc;
