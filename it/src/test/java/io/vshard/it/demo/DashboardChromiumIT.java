package io.vshard.it.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the demo's dashboard in headless Chromium (Debian's {@code chromium}) during a demo run: while the
 * heat is shown the v1 heat map has its hot cells exactly on shards 45-54; after the migration the v2 map has
 * 128 cells and none hot. Screenshots of both moments go to {@code target/dashboard-*.png}.
 */
class DashboardChromiumIT {
    private static final Pattern CELL = Pattern.compile("class=\"cell (hot|cool|idle)\" data-shard=\"(\\d+)\"");

    @TempDir
    Path dir;

    @Test
    void theHeatMapShowsTheHotShardsThenTheBalancedLayout() throws Exception {
        String chromium = chromium();
        assumeTrue(
                chromium != null,
                "chromium is not installed and could not be installed (apt-get install -y"
                        + " chromium); run scripts/ensure-services.sh");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/";
        StringWriter sink = new StringWriter();
        CompletableFuture<DemoRun> demo = CompletableFuture.supplyAsync(() -> DemoRun.run(
                dir.resolve("demo"), sink, "--http", String.valueOf(port), "--step-pause", "8000", "--linger", "40"));
        HttpClient http = HttpClient.newHttpClient();

        awaitState(http, url, "\"step\":2,", demo);
        Thread.sleep(3000);
        String before = dump(chromium, url, "dashboard-before.png");
        // The v1 map only: on a loaded machine the page may be read after step 3 has published v2 as well.
        List<int[]> hotBefore = cells(version(before, 1), "hot");
        assertThat(before).contains("data-version=\"1\"");
        assertThat(hotBefore).as(before).isNotEmpty();
        assertThat(hotBefore).allSatisfy(c -> assertThat(c[1]).isBetween(45, 54));

        // The report is in once the audit has read every shard.
        awaitState(http, url, "\"report\":", demo);
        String after = dump(chromium, url, "dashboard-after.png");
        assertThat(after).contains("data-version=\"2\"").doesNotContain("data-version=\"1\"");
        assertThat(cells(after, "hot")).isEmpty();
        assertThat(cells(after, "cool").size() + cells(after, "idle").size()).isEqualTo(128);
        assertThat(after).contains("lost 0, duplicated 0");

        DemoRun run = demo.get(5, TimeUnit.MINUTES);
        DemoRunIT.assertReport(run);
    }

    /** The part of the page that shows {@code version}'s heat map (empty when it is not shown). */
    private static String version(String dom, int version) {
        int from = dom.indexOf("data-version=\"" + version + "\"");
        if (from < 0) {
            return "";
        }
        int to = dom.indexOf("data-version=\"", from + 1);
        return dom.substring(from, to < 0 ? dom.length() : to);
    }

    private static List<int[]> cells(String dom, String kind) {
        List<int[]> out = new ArrayList<>();
        Matcher m = CELL.matcher(dom);
        while (m.find()) {
            if (m.group(1).equals(kind)) {
                out.add(new int[] {0, Integer.parseInt(m.group(2))});
            }
        }
        return out;
    }

    private static void awaitState(HttpClient http, String url, String wanted, CompletableFuture<DemoRun> demo)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (demo.isDone()) {
                throw new AssertionError("the demo ended early: " + demo.get().output);
            }
            try {
                String s = http.send(
                                HttpRequest.newBuilder(URI.create(url + "api/state"))
                                        .timeout(Duration.ofSeconds(5))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body();
                if (s.contains(wanted)) {
                    return;
                }
            } catch (java.io.IOException e) {
                // The dashboard is not up yet.
            }
            Thread.sleep(300);
        }
        throw new AssertionError("the dashboard state never showed " + wanted);
    }

    /** Loads the page, lets its script poll, saves a screenshot and returns the DOM. */
    private String dump(String chromium, String url, String screenshot) throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        run(chromium, "--screenshot=" + target.resolve(screenshot), "--window-size=1280,900", url);
        return run(chromium, "--dump-dom", url);
    }

    private String run(String chromium, String... args) throws Exception {
        Path profile = Files.createTempDirectory(dir, "chromium");
        List<String> cmd = new ArrayList<>(List.of(
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                "--virtual-time-budget=4000"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    /** The chromium binary, installing Debian's package when missing and possible; {@code null} otherwise. */
    private static String chromium() throws Exception {
        for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            if (Files.isExecutable(Path.of(c))) {
                return c;
            }
        }
        try {
            Process p = new ProcessBuilder("apt-get", "install", "-y", "-qq", "chromium")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            p.waitFor(10, TimeUnit.MINUTES);
        } catch (java.io.IOException e) {
            return null;
        }
        return Files.isExecutable(Path.of("/usr/bin/chromium")) ? "/usr/bin/chromium" : null;
    }
}
