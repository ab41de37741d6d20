package io.switchboard.cli;

import io.dropwizard.core.Configuration;
import io.switchboard.admin.KeyInput;
import io.switchboard.admin.KeyService;
import io.switchboard.store.Database;
import io.switchboard.store.KeySettings;
import io.switchboard.store.VirtualKeyRecord;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

import java.io.PrintStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code keys create|list|show|update|revoke|rotate}: virtual keys from the command line, the same
 * operations as the admin API's {@code /api/keys}. The secret is printed once, by create and rotate.
 */
public final class KeysCommand extends DatabaseCommand {

    private static final List<String> ACTIONS = List.of("create", "list", "show", "update", "revoke", "rotate");

    public KeysCommand(Class<? extends Configuration> configurationClass) {
        super(
                "keys",
                "Create, list, show, update, revoke or rotate virtual keys (the database's gateway keys).",
                "java -jar service.jar keys create --name team-a --budget-usd 50 --period monthly --rpm 600"
                        + " --tpm 200000 --models 'gpt-4o*,claude-*' --expires 2027-01-01",
                configurationClass);
    }

    @Override
    public void configure(Subparser subparser) {
        super.configure(subparser);
        subparser.addArgument("action").choices(ACTIONS).help("what to do");
        subparser.addArgument("id").nargs("?").help("the key's id (vk_...), for show, update, revoke and rotate");
        subparser.addArgument("--name").help("a name for people");
        subparser.addArgument("--tags").help("labels, e.g. team=a,owner=bob");
        subparser.addArgument("--models").help("model globs it may use, e.g. 'gpt-4o*,claude-*' (default: all)");
        subparser.addArgument("--budget-usd").dest("budget").help("dollars per period, e.g. 50 or 12.50");
        subparser.addArgument("--period").help("the budget's period: daily, weekly, monthly (default) or total");
        subparser.addArgument("--rpm").type(Integer.class).help("requests per minute");
        subparser.addArgument("--tpm").type(Integer.class).help("tokens per minute");
        subparser.addArgument("--expires").help("when it stops working: 2027-01-01 or 2027-01-01T12:00:00Z");
        subparser.addArgument("--disabled").action(Arguments.storeTrue()).help("create or set it disabled");
        subparser.addArgument("--enabled").action(Arguments.storeTrue()).help("set it enabled again");
        subparser
                .addArgument("--include-revoked")
                .dest("revoked")
                .action(Arguments.storeTrue())
                .help("list revoked keys too");
    }

    @Override
    protected void run(Database database, Namespace namespace, PrintStream out) {
        var keys = new KeyService(database.keys());
        String action = namespace.getString("action");
        String id = namespace.getString("id");
        if (!action.equals("create") && !action.equals("list") && id == null) {
            throw new CommandFailure("keys " + action + " needs the key's id (vk_...)");
        }
        switch (action) {
            case "create" -> {
                var issued = keys.create(input(namespace).toNewSettings());
                print(issued.key(), out);
                out.println("key:      " + issued.secret());
                out.println("          (shown this once: only its SHA-256 is stored)");
            }
            case "list" -> list(keys.list(Boolean.TRUE.equals(namespace.getBoolean("revoked"))), out);
            case "show" -> print(keys.find(id).orElseThrow(() -> missing(id)), out);
            case "update" -> {
                var current = keys.find(id).orElseThrow(() -> missing(id));
                print(
                        keys.update(id, input(namespace).applyTo(current.settings()))
                                .orElseThrow(() -> missing(id)),
                        out);
            }
            case "revoke" -> print(keys.revoke(id).orElseThrow(() -> missing(id)), out);
            case "rotate" -> {
                var issued = keys.rotate(id).orElseThrow(() -> missing(id));
                print(issued.key(), out);
                out.println("key:      " + issued.secret());
                out.println("          (shown this once; the old secret no longer works)");
            }
            default -> throw new CommandFailure("unknown action " + action);
        }
    }

    private static KeyInput input(Namespace namespace) {
        Map<String, String> tags = null;
        if (namespace.getString("tags") != null) {
            tags = new LinkedHashMap<>();
            for (String pair : namespace.getString("tags").split(",")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--tags: name=value pairs separated by commas, e.g. team=a");
                }
                tags.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
            }
        }
        List<String> models = namespace.getString("models") == null
                ? null
                : Arrays.stream(namespace.getString("models").split(","))
                        .map(String::strip)
                        .filter(pattern -> !pattern.isEmpty())
                        .toList();
        Long budget = namespace.getString("budget") == null ? null : KeyInput.usd(namespace.getString("budget"));
        var period = namespace.getString("period") == null ? null : KeyInput.period(namespace.getString("period"));
        Long expires = namespace.getString("expires") == null ? null : KeyInput.expiry(namespace.getString("expires"));
        Boolean enabled = Boolean.TRUE.equals(namespace.getBoolean("disabled"))
                ? Boolean.FALSE
                : Boolean.TRUE.equals(namespace.getBoolean("enabled")) ? Boolean.TRUE : null;
        return new KeyInput(
                namespace.getString("name"),
                tags,
                models,
                budget,
                false,
                period,
                namespace.getInt("rpm"),
                namespace.getInt("tpm"),
                expires,
                false,
                enabled);
    }

    private static void list(List<VirtualKeyRecord> keys, PrintStream out) {
        out.printf("%-20s %-24s %-14s %-22s %-8s %-10s %s%n", "ID", "NAME", "PREFIX", "BUDGET", "RPM", "TPM", "STATE");
        for (VirtualKeyRecord key : keys) {
            KeySettings s = key.settings();
            out.printf(
                    "%-20s %-24s %-14s %-22s %-8s %-10s %s%n",
                    key.id(),
                    shorten(s.name(), 24),
                    key.keyPrefix() + "…",
                    budget(s),
                    s.rpm() == null ? "-" : s.rpm(),
                    s.tpm() == null ? "-" : s.tpm(),
                    state(key));
        }
    }

    private static void print(VirtualKeyRecord key, PrintStream out) {
        KeySettings s = key.settings();
        out.println("id:       " + key.id());
        out.println("name:     " + s.name());
        out.println("prefix:   " + key.keyPrefix() + "…");
        out.println("tags:     " + (s.tags().isEmpty() ? "-" : s.tags()));
        out.println("models:   " + (s.models().isEmpty() ? "all" : String.join(", ", s.models())));
        out.println("budget:   " + budget(s));
        out.println("rpm:      " + (s.rpm() == null ? "-" : s.rpm()));
        out.println("tpm:      " + (s.tpm() == null ? "-" : s.tpm()));
        out.println("expires:  " + (s.expiresAt() == null ? "never" : Instant.ofEpochMilli(s.expiresAt())));
        out.println("state:    " + state(key));
    }

    private static String budget(KeySettings s) {
        if (s.budgetMicros() == null) {
            return "-";
        }
        long micros = s.budgetMicros();
        String fraction = String.format("%06d", micros % 1_000_000).replaceFirst("0{1,4}$", "");
        return "$" + micros / 1_000_000 + "." + fraction + " "
                + s.budgetPeriod().dbValue();
    }

    private static String state(VirtualKeyRecord key) {
        if (key.revokedAt() != null) {
            return "revoked";
        }
        if (key.settings().expiresAt() != null && key.settings().expiresAt() <= System.currentTimeMillis()) {
            return "expired";
        }
        return key.settings().enabled() ? "enabled" : "disabled";
    }

    private static String shorten(String text, int width) {
        return text.length() > width ? text.substring(0, width - 1) + "…" : text;
    }

    private static CommandFailure missing(String id) {
        return new CommandFailure("No key with the id " + id);
    }
}
