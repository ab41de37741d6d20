package io.switchboard;

import org.junit.jupiter.api.Test;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a release of the repository needs besides the code: the Maven wrapper the README offers
 * where Maven is not installed, pinned to one checked distribution; the license; the changelog.
 */
class ReleaseFilesTest {

    private static final Path ROOT = Path.of("..");

    @Test
    void theMavenWrapperIsThereAndPinsAChecksummedMaven() throws Exception {
        assertThat(ROOT.resolve("mvnw")).isRegularFile().isExecutable();
        assertThat(ROOT.resolve("mvnw.cmd")).isRegularFile();
        var wrapper = new Properties();
        try (Reader in = Files.newBufferedReader(ROOT.resolve(".mvn/wrapper/maven-wrapper.properties"))) {
            wrapper.load(in);
        }
        assertThat(wrapper.getProperty("distributionUrl"))
                .matches("https://repo\\.maven\\.apache\\.org/maven2/org/apache/maven/apache-maven/3\\.9\\.\\d+/"
                        + "apache-maven-3\\.9\\.\\d+-bin\\.zip");
        assertThat(wrapper.getProperty("distributionSha256Sum")).matches("[0-9a-f]{64}");
        assertThat(Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8))
                .contains("./mvnw");
    }

    @Test
    void theLicenseIsTheApacheLicenseTwoPointZero() throws Exception {
        String license = Files.readString(ROOT.resolve("LICENSE"), StandardCharsets.UTF_8);

        assertThat(license.strip()).startsWith("Apache License\n                           Version 2.0, January 2004");
        assertThat(license)
                .contains(
                        "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION",
                        "END OF TERMS AND CONDITIONS",
                        "APPENDIX: How to apply the Apache License to your work.");
        assertThat(Files.readString(ROOT.resolve("pom.xml"), StandardCharsets.UTF_8))
                .contains("<name>Apache-2.0</name>");
    }

    @Test
    void theChangelogKeepsAChangelogWithAnUnreleasedSection() throws Exception {
        String changelog = Files.readString(ROOT.resolve("CHANGELOG.md"), StandardCharsets.UTF_8);

        assertThat(changelog).startsWith("# Changelog").contains("https://keepachangelog.com/");
        assertThat(changelog.lines().filter(line -> line.startsWith("## ")))
                .first()
                .isEqualTo("## [Unreleased]");
        assertThat(changelog).containsPattern("(?m)^## \\[0\\.1\\.0\\] - \\d{4}-\\d{2}-\\d{2}$");
    }
}
