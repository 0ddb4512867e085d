/** Implementation of the JDBC stores: not API, may change without notice. */
package com.neurasea.store.jdbc.internal;
