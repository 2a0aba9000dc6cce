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

	/**
	 * A delivery larger than the binder takes; what to answer for it.
	 * @param maxBodyBytes the limit it passed
	 * @return DROP unless the receiver says otherwise: no redelivery makes it smaller
	 */
	default DeliveryStatus tooLarge(long maxBodyBytes) {
		return DeliveryStatus.DROP;
	}

}
