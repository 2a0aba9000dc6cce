/**
 * Destinations: Dapr topics, which the broker behind the sidecar owns.
 */
@NullMarked
package com.pakaura.binder.dapr.provisioning;

import org.jspecify.annotations.NullMarked;
