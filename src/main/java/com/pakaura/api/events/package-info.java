/**
 * Task lifecycle events: which events a change publishes, their CloudEvents envelopes,
 * the publisher.
 */
@NullMarked
package com.pakaura.api.events;

import org.jspecify.annotations.NullMarked;
