package io.vshard.proxy.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The dashboard's routes, mountable on {@link StatusHttpServer}: the page and its script and style, served from
 * the jar ({@code /dashboard/*} resources, no build step, nothing fetched from the internet), and
 * {@code GET /api/state}, the JSON the page polls. The state supplier must be cheap; it runs on the event loop.
 */
public final class DashboardHandler {
    /**
     * One answer.
     *
     * @param status the HTTP status code
     * @param contentType the content type
     * @param body the body
     */
    public record Answer(int status, String contentType, byte[] body) {}

    private static final Map<String, String[]> FILES = Map.of(
            "/", new String[] {"index.html", "text/html; charset=utf-8"},
            "/index.html", new String[] {"index.html", "text/html; charset=utf-8"},
            "/dashboard.js", new String[] {"dashboard.js", "text/javascript; charset=utf-8"},
            "/dashboard.css", new String[] {"dashboard.css", "text/css; charset=utf-8"});

    private final Supplier<String> state;

    /** A handler whose {@code /api/state} answers {@code state}'s JSON. */
    public DashboardHandler(Supplier<String> state) {
        this.state = state;
    }

    /** The answer for a GET of {@code path}, or {@code null} when the dashboard has no such route. */
    public Answer answer(String path) {
        if (path.equals("/api/state")) {
            return new Answer(200, "application/json", state.get().getBytes(StandardCharsets.UTF_8));
        }
        String[] file = FILES.get(path);
        if (file == null) {
            return null;
        }
        try (InputStream in = DashboardHandler.class.getResourceAsStream("/dashboard/" + file[0])) {
            if (in == null) {
                return new Answer(500, "text/plain", "the jar lacks the dashboard\n".getBytes(StandardCharsets.UTF_8));
            }
            return new Answer(200, file[1], in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
