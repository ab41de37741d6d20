package io.switchboard.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Keys are held as hashes, matched exactly, named by a hash prefix, and read from files strictly. */
class ApiKeysTest {

    private static final String ALPHA = "sb-alpha-0123456789abcdef";
    private static final String BETA = "sb-beta-fedcba9876543210";

    private final ApiKeys keys = ApiKeys.fromHashes(List.of(ApiKeys.sha256Hex(ALPHA), ApiKeys.sha256Hex(BETA)));

    @Test
    void sha256HexIsWhatSha256sumPrints() {
        // printf %s abc | sha256sum
        assertThat(ApiKeys.sha256Hex("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void authenticatesEachConfiguredKeyAsItsId() {
        assertThat(keys.authenticate(ALPHA))
                .map(ApiKeyPrincipal::getName)
                .contains(ApiKeys.sha256Hex(ALPHA).substring(0, ApiKeys.ID_LENGTH));
        assertThat(keys.authenticate(BETA))
                .map(ApiKeyPrincipal::keyId)
                .contains(ApiKeys.sha256Hex(BETA).substring(0, 12));
        assertThat(keys.ids()).hasSize(2).allSatisfy(id -> assertThat(id).matches("[0-9a-f]{12}"));
    }

    @ParameterizedTest
    @CsvSource({
        "sb-alpha-0123456789abcdeF",
        "sb-alpha-0123456789abcde",
        "sb-alpha-0123456789abcdef0",
        "' sb-alpha-0123456789abcdef'",
        "''",
        "Bearer sb-alpha-0123456789abcdef"
    })
    void refusesAnythingElse(String presented) {
        assertThat(keys.authenticate(presented)).isEmpty();
    }

    @Test
    void neverShowsAKeyOrHash() {
        assertThat(keys.toString())
                .isEqualTo("ApiKeys[2 keys]")
                .doesNotContain(ALPHA)
                .doesNotContain(ApiKeys.sha256Hex(ALPHA));
        assertThat(keys.size()).isEqualTo(2);
        assertThat(ApiKeys.fromHashes(List.of()).isEmpty()).isTrue();
    }

    @Test
    void duplicateHashesCountOnceAndCaseDoesNotMatter() {
        String hash = ApiKeys.sha256Hex(ALPHA);
        var twice = ApiKeys.fromHashes(List.of(hash, hash.toUpperCase(Locale.ROOT), " " + hash + " "));
        assertThat(twice.size()).isEqualTo(1);
        assertThat(twice.authenticate(ALPHA)).isPresent();
    }

    @Test
    void refusesSomethingThatIsNotAHash() {
        assertThatThrownBy(() -> ApiKeys.fromHashes(List.of(ALPHA)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining(ALPHA);
    }

    @Test
    void fileHoldsHashesWithCommentsAndSha256sumOutput() {
        String alpha = ApiKeys.sha256Hex(ALPHA);
        String beta = ApiKeys.sha256Hex(BETA);
        var hashes = ApiKeysFile.parse(
                List.of(
                        "# team keys",
                        "",
                        alpha,
                        "  " + beta.toUpperCase(Locale.ROOT) + "  -",
                        "   # indented comment"),
                "keys.txt");

        assertThat(hashes).containsExactly(alpha, beta);
    }

    @Test
    void aBadLineInTheFileNamesItsNumberButNeverItsContent() {
        assertThatThrownBy(() -> ApiKeysFile.parse(List.of("# ok", ApiKeys.sha256Hex(ALPHA), ALPHA), "keys.txt"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 3 of keys.txt")
                .hasMessageNotContaining(ALPHA);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            nullValues = "NULL",
            value = {
                "Bearer abc|abc",
                "bearer abc|abc",
                "BEARER   abc  |abc",
                "Bearer|NULL",
                "Bearer |NULL",
                "Bearerabc|NULL",
                "Basic YWJjOmRlZg==|NULL",
                "abc|NULL",
                "NULL|NULL",
            })
    void readsTheBearerToken(String header, String token) {
        assertThat(BearerKeyAuthFilter.bearerToken(header)).isEqualTo(token);
    }
}
