package dev.d2r2.app.web;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.openqa.selenium.support.ui.ExpectedConditions.elementToBeClickable;
import static org.openqa.selenium.support.ui.ExpectedConditions.invisibilityOfElementLocated;
import static org.openqa.selenium.support.ui.ExpectedConditions.numberOfElementsToBe;
import static org.openqa.selenium.support.ui.ExpectedConditions.numberOfElementsToBeMoreThan;
import static org.openqa.selenium.support.ui.ExpectedConditions.visibilityOfElementLocated;

/**
 * The dashboard's diagnosis panel in a real browser (as {@link DashboardBrowserTest}): hidden until
 * the diagnosis speaks; then the √JSD heat map of the group with the culprit's distances over the
 * threshold, each peer's histogram over the profiles, the indictment listed and on its swim lane,
 * and the drain's cause chain back to the window that indicted; cleared, the indictment goes.
 */
class DiagnosisPanelBrowserTest extends DashboardInBrowser {
    @Test
    void theHeatMapHistogramsIndictmentAndItsCauseChainAreShown() {
        openPage();
        assertThat(driver.findElement(testId("diagnosis")).isDisplayed()).as("no diagnosis yet: no panel").isFalse();

        long t = System.currentTimeMillis() - 5_000;
        SickServerFixture.feed(web.observatory(), t);
        wait.until(visibilityOfElementLocated(testId("diagnosis")));
        By cells = By.cssSelector("[data-testid='diagnosis-group-sip'] [data-testid='jsd-cell']");
        wait.until(numberOfElementsToBe(cells, 9));
        List<String> over = driver.findElements(By.cssSelector("[data-testid='jsd-cell'][data-over='true']")).stream()
                .map(c -> c.getDomAttribute("data-row") + "|" + c.getDomAttribute("data-col")).toList();
        String culprit = SickServerFixture.CULPRIT;
        assertThat(over).as("the culprit's row and column, nothing else, over the threshold").containsExactlyInAnyOrder(
                culprit + "|127.0.0.1:5071", culprit + "|127.0.0.1:5072", "127.0.0.1:5071|" + culprit, "127.0.0.1:5072|" + culprit);
        WebElement histogram = driver.findElement(testId("histogram-" + culprit));
        assertThat(histogram.findElements(By.cssSelector("rect.bin"))).as("the culprit's three bins").hasSize(3);
        assertThat(histogram.findElement(By.cssSelector("rect.bin-none")).getDomAttribute("data-share")).isEqualTo("0.7");
        assertThat(driver.findElement(testId("histogram-127.0.0.1:5071")).findElements(By.cssSelector("rect.bin-none")))
                .as("a healthy peer is never like no profile").isEmpty();
        WebElement indictment = wait.until(visibilityOfElementLocated(testId("indictment")));
        assertThat(indictment.getDomAttribute("data-peer")).isEqualTo(culprit);
        assertThat(indictment.getText()).contains("os.cpu_pct off by 9.4");
        wait.until(numberOfElementsToBeMoreThan(By.cssSelector("[data-testid='lane-diagnosis'] [data-testid='mark']"), 0));

        By row = By.cssSelector("[data-testid='action-row'][data-action='" + SickServerFixture.DRAIN + "']");
        wait.until(elementToBeClickable(row)).click();
        List<String> kinds = wait.until(d -> {
            List<String> k = d.findElements(testId("chain-link")).stream().map(l -> l.getDomAttribute("data-kind")).toList();
            return k.size() == 4 ? k : null;
        });
        assertThat(kinds).containsExactly("action", "context", "indictment", "distances");
        assertThat(driver.findElement(By.cssSelector("[data-testid='chain-link'][data-kind='distances']")).getText())
                .contains("√JSD of 127.0.0.1:5071 127.0.0.1:5072 " + culprit);

        web.observatory().accept("diagnosis", SickServerFixture.cleared(t + 3_000));
        wait.until(invisibilityOfElementLocated(testId("indictment")));
        wait.until(visibilityOfElementLocated(By.id("indictments-empty")));
    }
}
