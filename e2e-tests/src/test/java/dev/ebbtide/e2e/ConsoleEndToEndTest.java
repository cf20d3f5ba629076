package dev.ebbtide.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ebbtide.devsupport.DebianPackages;
import dev.ebbtide.devsupport.LocalStack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The web console in a real browser (Debian's chromium through chromedriver, headless) on the whole stack: a job
 * submitted on the page runs to Completed while the cluster's chart goes 0 → 2 → 0, its logs and an output are read
 * through the console, a policy is changed and rolled back, and a viewer sees no button it may not use. The
 * screenshots it takes are the README's (docs/images/console-*.png).
 */
class ConsoleEndToEndTest {
    private static final String CLUSTER = "console-e2e";
    private static final List<String> PACKAGES = List.of("chromium", "chromium-driver");

    @TempDir
    static Path tmp;

    static Path root;
    static LocalStack stack;
    static String console;
    static WebDriver browser;
    static Path downloads;

    @BeforeAll
    static void start() throws Exception {
        // CI is a clean Debian machine run as root: install the browser there, and say so; never skip silently
        boolean hadThem = Files.isExecutable(Path.of("/usr/bin/chromium"))
                && Files.isExecutable(Path.of("/usr/bin/chromedriver"));
        List<String> missing = DebianPackages.packages(PACKAGES.toArray(String[]::new));
        if (!hadThem && missing.isEmpty()) {
            System.out.println("ConsoleEndToEndTest: installed " + String.join(" ", PACKAGES)
                    + " with apt-get (they were missing; the browser test drives them)");
        }
        assertEquals(
                List.of(),
                missing,
                "the browser test needs Debian's chromium and chromium-driver: run apt-get install -y chromium"
                        + " chromium-driver (as root) and run it again");
        root = Path.of(System.getProperty("ebbtide.repo.root", ".."))
                .toAbsolutePath()
                .normalize();
        Path clusters = Files.createDirectories(tmp.resolve("clusters"));
        Files.writeString(clusters.resolve("console.yml"), """
                name: console-e2e
                type: amlcompute
                min_instances: 0
                max_instances: 2
                idle_time_before_scale_down: 5
                """);
        Path state = root.resolve("e2e-tests/target/e2e-state-console");
        StackClient.deleteTree(state);
        stack = LocalStack.start(new LocalStack.Options(
                root,
                Files.createDirectories(state),
                0,
                0,
                true,
                clusters,
                Map.of(
                        "provisioner:ebbtide.local.agent-heartbeat-interval", "1s",
                        "console:ebbtide.console.refresh-interval", "500ms")));
        console = stack.startConsole(0);

        downloads = Files.createDirectories(tmp.resolve("downloads"));
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments(
                "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1300", "--lang=en");
        Map<String, Object> prefs = new HashMap<>();
        prefs.put("download.default_directory", downloads.toString());
        prefs.put("download.prompt_for_download", false);
        options.setExperimentalOption("prefs", prefs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(120)); // a loaded CI machine
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void jobChartLogsOutputsPolicyAndAViewersButtons() throws Exception {
        try {
            walkThrough();
        } catch (Exception | AssertionError e) {
            // what the browser showed, for the report: the page and a screenshot under target/
            Path target = Files.createDirectories(root.resolve("e2e-tests/target/console-failure"));
            Files.writeString(target.resolve("page.html"), browser.getPageSource());
            Files.write(target.resolve("page.png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
            throw e;
        }
    }

    private void walkThrough() throws Exception {
        String operator = stack.token("olga", "operator");
        logIn(operator);
        assertEquals(console + "/clusters", browser.getCurrentUrl());
        assertTrue(browser.findElement(By.id("clusters")).getText().contains(CLUSTER));
        screenshot("clusters");

        // the cluster's page stays open in its own tab: its chart gets one point per live update
        browser.get(console + "/clusters/" + CLUSTER);
        String clusterTab = browser.getWindowHandle();
        await().atMost(Duration.ofSeconds(20)).until(() -> totals().size() >= 2);
        assertEquals(0, totals().get(0), "the cluster starts with no nodes");

        browser.switchTo().newWindow(WindowType.TAB);
        browser.get(console + "/jobs");
        labelled();
        WebElement yaml = browser.findElement(By.id("job-yaml"));
        yaml.clear();
        yaml.sendKeys("""
                type: command
                display_name: console-hello
                compute: azureml:console-e2e
                command: echo "hello from node $NODE_RANK of $NODE_COUNT" && echo "rank $NODE_RANK" > ${{outputs.result}}/rank-$NODE_RANK.txt && sleep 2
                resources:
                  instance_count: 2
                outputs:
                  result:
                    type: uri_folder
                """); // a textarea keeps what is typed, indentation included
        browser.findElement(By.id("submit-button")).click();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> browser.getCurrentUrl().contains("/jobs/"));
        String jobId = browser.findElement(By.id("job-id")).getText();
        assertTrue(!jobId.isBlank(), browser.getPageSource());

        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> text("job-state"), s -> s.equals("Completed") || s.equals("Failed"));
        assertEquals("Completed", text("job-state"), text("status"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !browser.findElements(By.id("log-rank-1")).isEmpty()
                        && !browser.findElements(By.id("output-files")).isEmpty());
        assertTrue(text("log-rank-0").contains("hello from node 0 of 2"), text("log-rank-0"));
        assertTrue(text("log-rank-1").contains("hello from node 1 of 2"), text("log-rank-1"));
        screenshot("job");

        // download an output through the console (the browser's own download, with the console's cookie)
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            browser.findElement(By.partialLinkText("result/rank-1.txt")).click(); // live: may be swapped meanwhile
            return true;
        });
        Path file = downloads.resolve("rank-1.txt");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(file) && Files.size(file) > 0);
        assertEquals("rank 1", Files.readString(file).strip());

        // the chart went 0 → 2 → 0: nodes came for the job and left after 5 s idle
        browser.switchTo().window(clusterTab);
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> wentUpToAndBack(totals(), 2));
        assertEquals("0", text("node-count"));
        assertTrue(text("decision-table").contains("→ 2"), text("decision-table"));
        assertTrue(
                text("decision-table").indexOf("→ 0") < text("decision-table").indexOf("0 → 2"),
                "newest decision first: " + text("decision-table"));
        screenshot("cluster");

        // change the idle time as a new version, then roll back to version 1
        browser.get(console + "/clusters/" + CLUSTER + "/policy");
        labelled();
        assertEquals("1", text("current-version"));
        WebElement idle = browser.findElement(By.id("idle"));
        idle.clear();
        idle.sendKeys("45");
        browser.findElement(By.id("reason")).sendKeys("longer idle for the e2e test");
        browser.findElement(By.id("change-button")).click();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> text("current-version").equals("2"));
        assertEquals("45", text("current-idle"));
        assertTrue(browser.findElement(By.id("versions")).getText().contains("idle_time_before_scale_down"));
        screenshot("policy");
        browser.findElement(By.id("rollback-1")).click();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> text("current-version").equals("3"));
        assertEquals("5", text("current-idle"));

        // what-if as a chart: the job just run, replayed with a longer idle time, beside the fixed-idle frontier
        browser.get(console + "/clusters/" + CLUSTER + "/policy/what-if?idle=600&since=1h");
        labelled();
        assertTrue(
                browser.findElement(By.id("what-if-table")).getText().contains("proposed 600"), text("what-if-table"));
        assertEquals(
                3L,
                ((JavascriptExecutor) browser).executeScript("return window.ebbtideWhatIf.series.length - 1"),
                "three series: the frontier, the current and the proposed setting");
        screenshot("whatif");

        // usage per team: the job's two nodes counted for the default team
        browser.get(console + "/usage?by=team&since=1h");
        labelled();
        assertTrue(text("usage").contains("default"), text("usage"));

        // a viewer reads everything and sees no button it may not use
        browser.findElement(By.xpath("//header//button[text()='Log out']")).click();
        logIn(stack.token("vera", "viewer"));
        assertEquals("viewer", text("caller-roles"));
        browser.get(console + "/jobs");
        assertEquals(List.of("Log out", "Show"), buttons());
        assertTrue(text("jobs").contains(jobId));
        browser.get(console + "/jobs/" + jobId);
        assertEquals(List.of("Log out"), buttons());
        browser.get(console + "/clusters/" + CLUSTER + "/policy");
        assertEquals(List.of("Log out"), buttons());
        assertTrue(browser.findElement(By.id("versions")).getText().contains("rollback to 1"));
        screenshot("viewer");
    }

    /** Logs in with the keyboard only: the token pasted, Tab to the button, Enter. */
    private static void logIn(String token) {
        browser.get(console + "/login");
        WebElement field = browser.findElement(By.id("token"));
        field.sendKeys(token);
        field.sendKeys(Keys.TAB);
        assertEquals("login-button", browser.switchTo().activeElement().getAttribute("id"));
        browser.switchTo().activeElement().sendKeys(Keys.ENTER);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> browser.getCurrentUrl().endsWith("/clusters"));
    }

    /** Every form control on the page has a label (a {@code <label for>} or an aria-label). */
    private static void labelled() {
        for (WebElement control : browser.findElements(By.cssSelector("input:not([type=hidden]), select, textarea"))) {
            String id = control.getAttribute("id");
            boolean labelled = control.getAttribute("aria-label") != null
                    || (id != null
                            && !browser.findElements(By.cssSelector("label[for='" + id + "']"))
                                    .isEmpty());
            assertTrue(labelled, "a form control has no label: " + control.getAttribute("outerHTML"));
        }
    }

    private static List<String> buttons() {
        return browser.findElements(By.tagName("button")).stream()
                .map(WebElement::getText)
                .sorted()
                .toList();
    }

    /** An element's visible text, read in one step (live updates replace elements while a test waits). */
    private static String text(String id) {
        Object t = ((JavascriptExecutor) browser)
                .executeScript("const e = document.getElementById(arguments[0]); return e ? e.innerText : ''", id);
        return String.valueOf(t).strip();
    }

    @SuppressWarnings("unchecked")
    private static List<Integer> totals() {
        Object t = ((JavascriptExecutor) browser)
                .executeScript("return window.ebbtideChart ? window.ebbtideChart.totals : []");
        List<Integer> out = new ArrayList<>();
        for (Object o : (List<Object>) t) {
            out.add(((Number) o).intValue());
        }
        return out;
    }

    /** 0 first, then {@code peak} at some point, then 0 again. */
    static boolean wentUpToAndBack(List<Integer> totals, int peak) {
        int up = totals.indexOf(peak);
        return !totals.isEmpty()
                && totals.get(0) == 0
                && up > 0
                && totals.subList(up, totals.size()).contains(0);
    }

    private static void screenshot(String name) throws IOException {
        Path images = Files.createDirectories(root.resolve("docs/images"));
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(images.resolve("console-" + name + ".png"), png);
    }
}
