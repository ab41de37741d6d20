package io.switchboard.usage;

import io.switchboard.store.UsageRow;

import java.util.List;

/**
 * Where the ledger writer puts a batch: {@code database.usage()::insertAll} in the gateway.
 * All or none: a batch that throws is held and tried again whole.
 */
@FunctionalInterface
public interface LedgerSink {

    void insertAll(List<UsageRow> rows) throws Exception;
}
