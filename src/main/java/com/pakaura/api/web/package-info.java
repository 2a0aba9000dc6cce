/**
 * The web layer: bearer-token security, correlation ids, problem+json errors, request
 * limits.
 */
@NullMarked
package com.pakaura.api.web;

import org.jspecify.annotations.NullMarked;
