package com.pakaura.api.events;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.cloud.stream.binder.test.OutputDestination;
import org.springframework.messaging.Message;

import com.pakaura.api.support.ApiTest;

/** The event contract on Spring Cloud Stream's test binder: verified offline. */
@ApiTest
class TaskEventsOnTestBinderTest extends TaskEventsContract {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Autowired
	private OutputDestination output;

	/** Messages taken off the test binder's queues so far, per destination. */
	private final Map<String, List<Arrived>> received = new HashMap<>();

	@Override
	protected List<Arrived> arrivedAt(String destination) {
		List<Arrived> arrived = this.received.computeIfAbsent(destination, (name) -> new ArrayList<>());
		for (Message<byte[]> message = this.output.receive(0, destination); message != null; message = this.output
			.receive(0, destination)) {
			arrived.add(new Arrived(JSON.readTree(new String(message.getPayload(), StandardCharsets.UTF_8)),
					(String) message.getHeaders().get("partitionKey")));
		}
		return List.copyOf(arrived);
	}

	@Override
	protected void clearArrivals() {
		this.output.clear();
		this.received.clear();
	}

}
