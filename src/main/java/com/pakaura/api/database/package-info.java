/**
 * Database plumbing: Flyway pointed at the database R2DBC uses, and how its statements
 * are observed.
 */
@NullMarked
package com.pakaura.api.database;

import org.jspecify.annotations.NullMarked;
