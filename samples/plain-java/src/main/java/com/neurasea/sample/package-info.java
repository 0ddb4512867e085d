/**
 * A runnable host on the embedded defaults: {@link com.neurasea.sample.SampleHost} opens SQLite in a
 * data directory, builds the platform, creates the first administrator and serves the admin API on
 * embedded Jetty. Not a published artifact; a starting point to copy.
 */
package com.neurasea.sample;
