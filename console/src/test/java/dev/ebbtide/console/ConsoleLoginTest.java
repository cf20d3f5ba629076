package dev.ebbtide.console;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.not;

import dev.ebbtide.devsupport.DevTokens;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The token login: what reaches a page without a token, with a bad one, and how a good one is kept. */
@QuarkusTest
class ConsoleLoginTest {
    @Test
    void aPageWithoutATokenSendsToTheLoginPage() {
        given().redirects()
                .follow(false)
                .get("/clusters")
                .then()
                .statusCode(303)
                .header("Location", endsWith("/login"));
    }

    @Test
    void theLoginPageHasALabelledTokenField() {
        given().get("/login")
                .then()
                .statusCode(200)
                .body(allOf(containsString("<label for=\"token\">"), containsString("id=\"token\"")));
    }

    @Test
    void aTokenThatDoesNotVerifyIsRefusedWithOneSentenceAndNoCookie() {
        given().redirects()
                .follow(false)
                .formParam("token", "not-a-token")
                .post("/login")
                .then()
                .statusCode(401)
                .header("Set-Cookie", org.hamcrest.Matchers.nullValue())
                .body(containsString("This token was not accepted"));
    }

    @Test
    void aGoodTokenIsKeptInAnHttpOnlySameSiteStrictCookie() {
        String token = DevTokens.testToken("vera", "viewer");
        given().redirects()
                .follow(false)
                .formParam("token", token)
                .post("/login")
                .then()
                .statusCode(303)
                .header("Location", endsWith("/clusters"))
                .header(
                        "Set-Cookie",
                        allOf(
                                containsString("ebbtide_token=" + token),
                                containsString("HttpOnly"),
                                containsString("SameSite=Strict"),
                                not(containsString("Secure"))));
    }

    @Test
    void theBrowserLibrariesComeFromTheWebjarsWithoutAToken() {
        given().get("/webjars/htmx.org/2.0.4/dist/htmx.min.js").then().statusCode(200);
        given().get("/webjars/htmx-ext-sse/2.2.2/sse.js").then().statusCode(200);
        given().get("/webjars/uplot/1.6.30/dist/uPlot.iife.min.js").then().statusCode(200);
    }
}
