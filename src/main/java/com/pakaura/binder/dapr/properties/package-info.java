/**
 * The binder's settings, binder-wide and per binding.
 */
@NullMarked
package com.pakaura.binder.dapr.properties;

import org.jspecify.annotations.NullMarked;
