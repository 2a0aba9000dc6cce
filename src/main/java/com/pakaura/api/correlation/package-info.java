/**
 * The request's correlation id and W3C trace context, and how they reach logs and events.
 */
@NullMarked
package com.pakaura.api.correlation;

import org.jspecify.annotations.NullMarked;
