/**
 * The live task stream: {@code sync.task} events, as they arrive on {@code task-updates}
 * through the consumer binding, streamed to their user over Server-Sent Events.
 */
@NullMarked
package com.pakaura.api.stream;

import org.jspecify.annotations.NullMarked;
