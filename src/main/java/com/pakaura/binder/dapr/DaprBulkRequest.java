package com.pakaura.binder.dapr;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import tools.jackson.core.io.JsonStringEncoder;

/**
 * The body of one bulk publish request: a JSON array of {@code {"entryId", "event",
 * "contentType", "metadata"}} (dapr v1.18.3 {@code pkg/api/http/http.go}
 * {@code bulkPublishMessageEntry}). Each entry's {@code entryId} is its index in the
 * request, which is unique and never empty, as daprd requires. The event goes in as the
 * JSON it already is, so nothing is parsed again on this side. {@code partitionKey} and
 * the binding's metadata go on each entry, never on the request: the Kafka component
 * copies request metadata over entry metadata (components-contrib
 * {@code common/component/kafka/producer.go} {@code BulkPublish},
 * {@code maps.Copy(entry.Metadata, metadata)}), and daprd gives request metadata to an
 * entry only when the entry has metadata of its own ({@code onBulkPublish},
 * {@code PopulateMetadataForBulkPublishEntry}).
 */
final class DaprBulkRequest {

	private static final JsonStringEncoder JSON_STRING = JsonStringEncoder.getInstance();

	private static final byte[] ENTRY_ID = bytes("{\"entryId\":\"");

	private static final byte[] EVENT = bytes("\",\"event\":");

	private static final byte[] CONTENT_TYPE = bytes(",\"contentType\":\"");

	private static final byte[] METADATA = bytes("\",\"metadata\":{");

	private static final byte[] PARTITION_KEY = bytes("\"partitionKey\":\"");

	private static final byte[] NAME_END = bytes("\":\"");

	private static final byte[] ENTRY_END = bytes("}}");

	/**
	 * What an entry adds besides its event, its key and its metadata, with room for an
	 * index of five digits.
	 */
	private static final int ENTRY_OVERHEAD = 96;

	private DaprBulkRequest() {
	}

	/**
	 * An upper bound of what this publication adds to a bulk request, so that a request
	 * can be kept under daprd's {@code --max-body-size} before it is written. Escaping
	 * makes a character at most six bytes.
	 */
	static long sizeBound(DaprPublication publication) {
		long size = ENTRY_OVERHEAD + publication.body().length + 6L * publication.contentType().length();
		if (publication.partitionKey() != null) {
			size += 16 + 6L * publication.partitionKey().length();
		}
		for (Map.Entry<String, String> entry : publication.metadata().entrySet()) {
			size += 6 + 6L * (entry.getKey().length() + entry.getValue().length());
		}
		return size;
	}

	/** The request body for these publications, in this order. */
	static byte[] body(List<DaprPublication> entries) {
		long bound = 2;
		for (DaprPublication publication : entries) {
			bound += sizeBound(publication) + 1;
		}
		Buffer out = new Buffer((int) bound);
		out.write((byte) '[');
		for (int index = 0; index < entries.size(); index++) {
			DaprPublication publication = entries.get(index);
			if (index > 0) {
				out.write((byte) ',');
			}
			out.write(ENTRY_ID);
			out.write(Integer.toString(index).getBytes(StandardCharsets.US_ASCII));
			out.write(EVENT);
			out.write(publication.body());
			out.write(CONTENT_TYPE);
			out.write(JSON_STRING.quoteAsUTF8(publication.contentType()));
			out.write(METADATA);
			boolean first = true;
			if (publication.partitionKey() != null) {
				out.write(PARTITION_KEY);
				out.write(JSON_STRING.quoteAsUTF8(publication.partitionKey()));
				out.write((byte) '"');
				first = false;
			}
			for (Map.Entry<String, String> metadata : publication.metadata().entrySet()) {
				if (!first) {
					out.write((byte) ',');
				}
				out.write((byte) '"');
				out.write(JSON_STRING.quoteAsUTF8(metadata.getKey()));
				out.write(NAME_END);
				out.write(JSON_STRING.quoteAsUTF8(metadata.getValue()));
				out.write((byte) '"');
				first = false;
			}
			out.write(ENTRY_END);
		}
		out.write((byte) ']');
		return out.toByteArray();
	}

	/**
	 * Whether this publication can travel in a bulk request. daprd decodes an entry's
	 * {@code event} by its content type ({@code pkg/api/http/util.go}
	 * {@code ConvertEventToBytes}); the binder sends JSON and CloudEvents JSON bodies as
	 * they are and everything else one request at a time, as before. A {@code rawPayload}
	 * binding goes alone too: daprd reads {@code rawPayload} from the request's metadata
	 * only ({@code onBulkPublish}).
	 */
	static boolean carries(DaprPublication publication) {
		String type = publication.contentType().toLowerCase(Locale.ROOT);
		boolean json = type.startsWith("application/json") || type.startsWith("application/cloudevents+json");
		return json && !publication.metadata().containsKey("rawPayload");
	}

	private static byte[] bytes(String ascii) {
		return ascii.getBytes(StandardCharsets.UTF_8);
	}

	/** A byte buffer sized once, without the synchronization of ByteArrayOutputStream. */
	private static final class Buffer {

		private byte[] bytes;

		private int length;

		Buffer(int capacity) {
			this.bytes = new byte[capacity];
		}

		void write(byte value) {
			ensure(1);
			this.bytes[this.length++] = value;
		}

		void write(byte[] values) {
			ensure(values.length);
			System.arraycopy(values, 0, this.bytes, this.length, values.length);
			this.length += values.length;
		}

		private void ensure(int more) {
			if (this.length + more > this.bytes.length) {
				this.bytes = Arrays.copyOf(this.bytes, Math.max(this.bytes.length * 2, this.length + more));
			}
		}

		byte[] toByteArray() {
			return (this.length == this.bytes.length) ? this.bytes : Arrays.copyOf(this.bytes, this.length);
		}

	}

}
