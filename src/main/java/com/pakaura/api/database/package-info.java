/**
 * Database plumbing: Flyway pointed at the database R2DBC uses.
 */
@NullMarked
package com.pakaura.api.database;

import org.jspecify.annotations.NullMarked;
