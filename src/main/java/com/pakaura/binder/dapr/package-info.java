/**
 * A Spring Cloud Stream binder that publishes to the Dapr sidecar's pub/sub HTTP API. A
 * library: it imports nothing from the service.
 */
@NullMarked
package com.pakaura.binder.dapr;

import org.jspecify.annotations.NullMarked;
