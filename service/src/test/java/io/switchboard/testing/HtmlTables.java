package io.switchboard.testing;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.swing.text.MutableAttributeSet;
import javax.swing.text.html.HTML;
import javax.swing.text.html.HTMLEditorKit;
import javax.swing.text.html.parser.ParserDelegator;

/**
 * The tables of an HTML page as a test reads them: by table id, each body row's attributes
 * ({@code data-key} and the like) and its cells' text, whitespace collapsed; and any element's
 * attributes by its id. Read with the JDK's own lenient HTML parser (no dependency), which is
 * enough for the DOM a browser serialises, though it knows only HTML 3.2 (no thead, no tbody).
 */
public final class HtmlTables {

    /** One {@code <tr>} of a {@code <tbody>}: its attributes and the text of each cell. */
    public record Row(Map<String, String> attributes, List<String> cells) {

        public String cell(int index) {
            return cells.get(index);
        }
    }

    private final Map<String, List<Row>> tables;
    private final Map<String, Map<String, String>> elements;

    private HtmlTables(Map<String, List<Row>> tables, Map<String, Map<String, String>> elements) {
        this.tables = tables;
        this.elements = elements;
    }

    public static HtmlTables parse(String html) {
        var collector = new Collector();
        try {
            new ParserDelegator().parse(new StringReader(html), collector, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new HtmlTables(collector.tables, collector.elements);
    }

    /** The body rows of the table with this id; empty when there is no such table. */
    public List<Row> rows(String tableId) {
        return tables.getOrDefault(tableId, List.of());
    }

    /** The attributes of the element with this id, or of the body for "body" (null when there is none). */
    public Map<String, String> attributes(String id) {
        return elements.get(id);
    }

    private static final class Collector extends HTMLEditorKit.ParserCallback {

        final Map<String, List<Row>> tables = new LinkedHashMap<>();
        final Map<String, Map<String, String>> elements = new LinkedHashMap<>();
        private String table;
        private Map<String, String> rowAttributes;
        private List<String> cells;
        private boolean headerRow;
        private StringBuilder cell;

        @Override
        public void handleStartTag(HTML.Tag tag, MutableAttributeSet attributes, int pos) {
            var map = attributes(attributes);
            if (tag == HTML.Tag.BODY) {
                elements.put("body", map);
            }
            if (map.containsKey("id")) {
                elements.put(map.get("id"), map);
            }
            if (tag == HTML.Tag.TABLE) {
                table = map.get("id");
                tables.put(table, new ArrayList<>());
            } else if (table != null && tag == HTML.Tag.TR) {
                rowAttributes = map;
                cells = new ArrayList<>();
                headerRow = false;
            } else if (cells != null && (tag == HTML.Tag.TD || tag == HTML.Tag.TH)) {
                headerRow |= tag == HTML.Tag.TH;
                cell = new StringBuilder();
            }
        }

        @Override
        public void handleEndTag(HTML.Tag tag, int pos) {
            if ((tag == HTML.Tag.TD || tag == HTML.Tag.TH) && cell != null) {
                cells.add(collapse(cell));
                cell = null;
            } else if (tag == HTML.Tag.TR && cells != null) {
                // The parser's DTD (HTML 3.2) has no thead or tbody: a row of th cells is the head.
                if (!headerRow) {
                    tables.get(table).add(new Row(rowAttributes, List.copyOf(cells)));
                }
                cells = null;
            } else if (tag == HTML.Tag.TABLE) {
                table = null;
            }
        }

        @Override
        public void handleText(char[] data, int pos) {
            if (cell != null) {
                cell.append(data);
            }
        }

        private static String collapse(StringBuilder text) {
            return text.toString().replaceAll("\\s+", " ").strip();
        }

        private static Map<String, String> attributes(MutableAttributeSet set) {
            var map = new LinkedHashMap<String, String>();
            for (Enumeration<?> names = set.getAttributeNames(); names.hasMoreElements(); ) {
                Object name = names.nextElement();
                map.put(name.toString(), String.valueOf(set.getAttribute(name)));
            }
            return map;
        }
    }
}
