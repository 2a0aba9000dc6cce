/**
 * The binder's Spring configuration: the binder's child context, and what lives in the
 * application context.
 */
@NullMarked
package com.pakaura.binder.dapr.config;

import org.jspecify.annotations.NullMarked;
