package io.switchboard.config;

import io.dropwizard.configuration.ConfigurationException;
import io.switchboard.SwitchboardConfiguration;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The cluster: block, with the names the deployment files use. */
class ClusterConfigurationTest {

    private static SwitchboardConfiguration parse(String yaml) throws Exception {
        return ConfigParsing.parse(yaml);
    }

    private static SwitchboardConfiguration defaultConfig(Map<String, String> environment) throws Exception {
        return ConfigParsing.defaultConfig(environment);
    }

    @Test
    void theDefaultConfigSharesNothingUntilTheEnvironmentNamesARedis() throws Exception {
        var off = defaultConfig(Map.of()).cluster();
        assertThat(off.enabled()).isFalse();
        assertThat(off.shareCircuits()).isFalse();
        assertThat(off.redis().timeout().toJavaDuration()).isEqualTo(Duration.ofMillis(50));
        assertThat(off.redis().failurePolicy()).isEqualTo(RedisConfiguration.FailurePolicy.OPEN);

        var on = defaultConfig(Map.of(
                        "SWITCHBOARD_REDIS_URI", "rediss://cache.internal:6380/2",
                        "SWITCHBOARD_REDIS_PASSWORD", "s3cret"))
                .cluster();
        assertThat(on.enabled()).isTrue();
        var settings = on.redis().settings();
        assertThat(settings.uri()).isEqualTo("rediss://cache.internal:6380/2");
        assertThat(settings.password()).containsExactly("s3cret".toCharArray());
        assertThat(settings.failOpen()).isTrue();
        assertThat(settings.toString()).doesNotContain("s3cret");
    }

    @Test
    void everyKeyOfTheBlockIsRead() throws Exception {
        var cluster = parse("""
                cluster:
                  redis:
                    uri: redis://127.0.0.1:6379/0
                    timeout: 20ms
                    failurePolicy: closed
                  shareCircuits: true
                """).cluster();
        assertThat(cluster.shareCircuits()).isTrue();
        assertThat(cluster.redis().failurePolicy()).isEqualTo(RedisConfiguration.FailurePolicy.CLOSED);
        assertThat(cluster.redis().settings().timeout()).isEqualTo(Duration.ofMillis(20));
        assertThat(cluster.redis().settings().failOpen()).isFalse();
        assertThat(cluster.redis().toString()).contains("redis://127.0.0.1:6379/0");
    }

    @Test
    void aPasswordInTheUriIsNeverPrinted() throws Exception {
        var redis = parse("cluster:\n  redis:\n    uri: redis://:hunter2@cache:6379/0\n")
                .cluster()
                .redis();
        assertThat(redis.toString()).doesNotContain("hunter2").contains("redis://cache:6379/0");
        assertThat(redis.settings().toString()).doesNotContain("hunter2");
    }

    @Test
    void aUriThatIsNotRedisIsRefusedWithItsKeyPath() {
        assertThatThrownBy(() -> parse("cluster:\n  redis:\n    uri: http://cache:6379\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("cluster.redis.uri must start with redis:// or rediss://");
    }

    @Test
    void anUnknownPolicyOrAnUnknownKeyIsRefused() {
        assertThatThrownBy(() -> parse("cluster:\n  redis:\n    failurePolicy: sometimes\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("failurePolicy");
        assertThatThrownBy(() -> parse("cluster:\n  redis:\n    url: redis://cache:6379\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("url");
    }

    @Test
    void aTimeoutOutsideItsRangeIsRefused() {
        assertThatThrownBy(() -> parse("cluster:\n  redis:\n    timeout: 0ms\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> parse("cluster:\n  redis:\n    timeout: 1m\n"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("timeout");
    }
}
