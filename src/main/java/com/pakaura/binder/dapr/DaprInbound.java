package com.pakaura.binder.dapr;

import java.util.Map;

/** Takes one message the sidecar delivers, and says what to answer. */
@FunctionalInterface
public interface DaprInbound {

	/**
	 * @param headers the delivery's HTTP headers, lower-case names (daprd's metadata:
	 * {@code __key}, {@code __partition}, {@code __offset}, record headers)
	 * @param body the broker's bytes, verbatim
	 * @return the answer's {@code status}
	 */
	DeliveryStatus deliver(Map<String, String> headers, byte[] body);

}
