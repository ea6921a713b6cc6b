package io.autoweave.itests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A Server-Sent Events client over a plain HTTP connection, reading on its own thread. */
final class SseClient implements AutoCloseable {

    /** One event: its id (null when none), type and data. */
    record Event(String id, String type, String data) {
        long sequence() {
            return Long.parseLong(id);
        }
    }

    final int status;
    private final HttpURLConnection connection;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final Thread reader;
    volatile boolean ended;

    SseClient(String url, String authorization, String lastEventId) throws IOException {
        connection = (HttpURLConnection) new URL(url).openConnection();
        connection.setConnectTimeout(5000);
        connection.setReadTimeout(30_000);
        connection.setRequestProperty("Accept", "text/event-stream");
        if (authorization != null) {
            connection.setRequestProperty("Authorization", authorization);
        }
        if (lastEventId != null) {
            connection.setRequestProperty("Last-Event-ID", lastEventId);
        }
        status = connection.getResponseCode();
        if (status != 200) {
            reader = null;
            return;
        }
        reader = new Thread(this::read, "sse-client");
        reader.setDaemon(true);
        reader.start();
    }

    /** A header of the answer, or null. */
    String header(String name) {
        return connection.getHeaderField(name);
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(),
                StandardCharsets.UTF_8))) {
            String id = null;
            String type = null;
            StringBuilder data = null;
            for (String line; (line = in.readLine()) != null;) {
                if (line.isEmpty()) {
                    if (data != null) {
                        events.add(new Event(id, type == null ? "message" : type, data.toString()));
                    }
                    id = null;
                    type = null;
                    data = null;
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
                }
            }
        } catch (IOException e) {
            // closed by the test or the server
        } finally {
            ended = true;
        }
    }

    /** The next event, failing after {@code seconds}. */
    Event next(long seconds) throws InterruptedException {
        Event e = events.poll(seconds, TimeUnit.SECONDS);
        if (e == null) {
            throw new AssertionError("no event within " + seconds + " s");
        }
        return e;
    }

    /** The next event if one comes within {@code millis}, else null. */
    Event poll(long millis) throws InterruptedException {
        return events.poll(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        connection.disconnect();
        if (reader != null) {
            reader.interrupt();
        }
    }
}
