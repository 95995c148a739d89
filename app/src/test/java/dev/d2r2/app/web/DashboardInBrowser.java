package dev.d2r2.app.web;

import dev.d2r2.core.testing.Peers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Path;
import java.time.Duration;

import static org.openqa.selenium.support.ui.ExpectedConditions.attributeToBe;

/**
 * For the dashboard's browser tests: a dashboard over an observatory ({@link ObservedDashboard}) and
 * Debian's chromium, headless, driven by its chromedriver, both started before each test and stopped
 * after it.
 */
abstract class DashboardInBrowser {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    Path data;
    @TempDir
    Path profile;
    ObservedDashboard web;
    WebDriver driver;
    WebDriverWait wait;

    @BeforeEach
    void startDashboardAndBrowser() throws Exception {
        requireChromium();
        web = new ObservedDashboard(data);
        driver = chromium(profile);
        wait = new WebDriverWait(driver, Duration.ofSeconds(15));
        wait.ignoring(StaleElementReferenceException.class);
    }

    @AfterEach
    void stopDashboardAndBrowser() {
        if (driver != null) {
            driver.quit();
        }
        if (web != null) {
            web.close();
        }
    }

    /** Chromium and its driver, as {@link Peers#require} asks for a real peer. */
    static void requireChromium() {
        Peers.require(CHROMIUM, "chromium");
        Peers.require(CHROMEDRIVER, "chromium-driver");
    }

    /** Debian's chromium and chromedriver, named outright so that Selenium Manager never looks anything up. */
    static WebDriver chromium(Path profile) {
        System.setProperty("SE_AVOID_STATS", "true");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1400,1000", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    String page() {
        return "http://127.0.0.1:" + web.dashboard().address().getPort() + "/";
    }

    /** Loads the page and waits until it is following the observatory. */
    void openPage() {
        driver.get(page());
        wait.until(attributeToBe(testId("status"), "class", "status ok"));
    }

    static By testId(String id) {
        return By.cssSelector("[data-testid='" + id + "']");
    }
}
