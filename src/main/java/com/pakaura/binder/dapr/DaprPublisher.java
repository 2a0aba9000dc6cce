package com.pakaura.binder.dapr;

/** Takes publications off the caller's hands. Never blocks, never throws. */
interface DaprPublisher extends AutoCloseable {

	void submit(DaprPublication publication);

	/** Begins whatever it does on its own (the dispatcher's wait for the sidecar). */
	default void start() {
	}

	/** Delivers or gives up on what it holds, within the shutdown timeout. */
	@Override
	void close();

}
