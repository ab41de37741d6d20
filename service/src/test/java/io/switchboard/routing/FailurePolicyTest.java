package io.switchboard.routing;

import io.switchboard.provider.ProviderException.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The table from a failure's kind to what routing does next, and whether the breaker counts it. */
class FailurePolicyTest {

    @ParameterizedTest(name = "{0} → {1}, counts against the provider: {2}")
    @CsvSource({
        // transient: the same provider again, after a backoff
        "CONNECT, RETRY, true",
        "TIMEOUT, RETRY, true",
        "RATE_LIMITED, RETRY, true",
        "UPSTREAM_5XX, RETRY, true",
        // this provider cannot do it; another may
        "AUTHENTICATION, NEXT, true",
        "MALFORMED, NEXT, true",
        "UNSUPPORTED, NEXT, false",
        // the request itself is refused, or the client left
        "UPSTREAM_4XX, STOP, false",
        "CANCELLED, STOP, false",
    })
    void everyKindHasItsDecision(Kind kind, FailurePolicy decision, boolean counts) {
        assertThat(FailurePolicy.of(kind)).isEqualTo(decision);
        assertThat(FailurePolicy.countsAgainstProvider(kind)).isEqualTo(counts);
    }

    @Test
    void theTableAboveHasARowForEveryKind() {
        assertThat(Kind.values())
                .as("a new kind needs its row in everyKindHasItsDecision")
                .hasSize(9);
    }
}
