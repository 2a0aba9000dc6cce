/**
 * pakaura-api: a reactive task service that publishes task lifecycle events.
 */
@NullMarked
package com.pakaura.api;

import org.jspecify.annotations.NullMarked;
