/** Implementation details of neurasea-core: not API, may change without notice. */
package com.neurasea.internal;
