package com.pakaura.binder.dapr;

/** Takes publications off the caller's hands. Never blocks, never throws. */
interface DaprPublisher extends AutoCloseable {

	void submit(DaprPublication publication);

	/** Delivers or gives up on what it holds, within the shutdown timeout. */
	@Override
	void close();

}
