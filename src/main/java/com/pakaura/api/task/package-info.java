/**
 * The task domain: tasks, their rules, the service and its transactions, the REST routes.
 */
@NullMarked
package com.pakaura.api.task;

import org.jspecify.annotations.NullMarked;
