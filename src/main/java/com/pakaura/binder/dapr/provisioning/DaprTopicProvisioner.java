package com.pakaura.binder.dapr.provisioning;

import org.springframework.cloud.stream.binder.ExtendedConsumerProperties;
import org.springframework.cloud.stream.binder.ExtendedProducerProperties;
import org.springframework.cloud.stream.provisioning.ConsumerDestination;
import org.springframework.cloud.stream.provisioning.ProducerDestination;
import org.springframework.cloud.stream.provisioning.ProvisioningProvider;

import com.pakaura.binder.dapr.properties.DaprConsumerProperties;
import com.pakaura.binder.dapr.properties.DaprProducerProperties;

/**
 * Maps a destination to a Dapr topic of the same name. Nothing is created: topics belong
 * to the broker behind the sidecar (the Kafka component creates none; the broker's
 * auto-create or a pre-create step does).
 */
public class DaprTopicProvisioner implements
		ProvisioningProvider<ExtendedConsumerProperties<DaprConsumerProperties>, ExtendedProducerProperties<DaprProducerProperties>> {

	@Override
	public ProducerDestination provisionProducerDestination(String name,
			ExtendedProducerProperties<DaprProducerProperties> properties) {
		return new DaprTopic(name);
	}

	@Override
	public ConsumerDestination provisionConsumerDestination(String name, String group,
			ExtendedConsumerProperties<DaprConsumerProperties> properties) {
		// Dapr subscribes: the topic exists if the broker has it (or creates it),
		// as for publishing
		return new DaprTopic(name);
	}

	private record DaprTopic(String name) implements ProducerDestination, ConsumerDestination {

		@Override
		public String getName() {
			return this.name;
		}

		@Override
		public String getNameForPartition(int partition) {
			// Dapr partitions by key (metadata.partitionKey), not by index.
			return this.name;
		}

	}

}
