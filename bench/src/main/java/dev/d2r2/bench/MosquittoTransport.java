package dev.d2r2.bench;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** Mosquitto through the Paho client: QoS 1 publish and subscribe, unlimited in-flight window. */
final class MosquittoTransport implements Transport {
    private static int topics;
    private final MqttAsyncClient publisher;
    private final MqttAsyncClient subscriber;
    private final String topic = "bench/" + (++topics);
    private final AtomicLong completed = new AtomicLong();
    private long published;

    MosquittoTransport(int port) throws Exception {
        String uri = "tcp://127.0.0.1:" + port;
        publisher = new MqttAsyncClient(uri, "pub-" + topic.replace('/', '-'), new MemoryPersistence());
        subscriber = new MqttAsyncClient(uri, "sub-" + topic.replace('/', '-'), new MemoryPersistence());
        publisher.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String t, MqttMessage m) {
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                synchronized (completed) {
                    completed.incrementAndGet();
                    completed.notifyAll();
                }
            }
        });
        publisher.connect(options()).waitForCompletion();
    }

    private static MqttConnectOptions options() {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMaxInflight(65535);
        o.setCleanSession(true);
        return o;
    }

    @Override
    public String name() {
        return "Mosquitto QoS1 persistence";
    }

    @Override
    public void subscribe(Consumer<byte[]> onPayload) throws Exception {
        subscriber.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
            }

            @Override
            public void messageArrived(String t, MqttMessage m) {
                onPayload.accept(m.getPayload());
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        subscriber.connect(options()).waitForCompletion();
        subscriber.subscribe(topic, 1).waitForCompletion();
    }

    @Override
    public void publish(byte[] payload) throws Exception {
        while (published - completed.get() >= 60_000) {
            synchronized (completed) {
                if (published - completed.get() >= 60_000) {
                    completed.wait(100);
                }
            }
        }
        publisher.publish(topic, payload, 1, false);
        published++;
    }

    @Override
    public void awaitAcknowledged() throws Exception {
        synchronized (completed) {
            while (completed.get() < published) {
                completed.wait(100);
            }
        }
    }

    @Override
    public void close() throws Exception {
        publisher.disconnect().waitForCompletion();
        subscriber.disconnect().waitForCompletion();
        publisher.close();
        subscriber.close();
    }
}
