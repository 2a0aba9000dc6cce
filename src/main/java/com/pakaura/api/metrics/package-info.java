/**
 * What the service's meters say about themselves in a scrape.
 */
@NullMarked
package com.pakaura.api.metrics;

import org.jspecify.annotations.NullMarked;
