// The pgJDBC driver program: compiled once by pgjdbc.test.ts, run as
// `java -cp <classes>:postgresql.jar JdbcProgram <jdbc url>`, creating the model first when
// CREATE_MODEL_SQL is set. Prints one JSON report (driver-fixture.ts, DriverReport) on its last line.
import java.sql.*;
import java.util.*;

public class JdbcProgram {
  public static void main(String[] args) throws Exception {
    StringBuilder out = new StringBuilder("{\"driver\":\"pgjdbc\"");
    try (Connection conn = DriverManager.getConnection(args[0])) {
      try (Statement st = conn.createStatement()) {
        String create = System.getenv("CREATE_MODEL_SQL");
        if (create != null) st.execute(create);
        try (ResultSet rs = st.executeQuery("WAIT FOR MODEL drv_model")) {
          rs.next();
          out.append(",\"wait\":").append(str(rs.getString("state")));
        }
      }

      // One PreparedStatement executed 12 times: past prepareThreshold the driver names it on the server.
      out.append(",\"prepared\":[");
      try (PreparedStatement ps = conn.prepareStatement("SELECT drv_fn(?, ?) AS label")) {
        for (int i = 0; i < 12; i++) {
          double a = i * 0.75, b = 9 - i * 0.5;
          ps.setDouble(1, a);
          ps.setDouble(2, b);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            out.append(i > 0 ? "," : "").append("{\"a\":").append(a).append(",\"b\":").append(b)
                .append(",\"label\":").append(str(rs.getString("label"))).append("}");
          }
        }
      }
      out.append("]");

      // A fetch size makes pgJDBC read through a portal, 500 rows per Execute (outside autocommit).
      conn.setAutoCommit(false);
      StringBuilder ids = new StringBuilder(), labels = new StringBuilder(), probs = new StringBuilder();
      try (PreparedStatement ps = conn.prepareStatement(
          "SELECT id, drv_fn(a, b) AS label, drv_fn_probabilities(a, b) AS p FROM drv_points WHERE id <= ? ORDER BY id")) {
        ps.setFetchSize(500);
        ps.setInt(1, 10000);
        try (ResultSet rs = ps.executeQuery()) {
          String sep = "";
          while (rs.next()) {
            ids.append(sep).append(rs.getInt("id"));
            labels.append(sep).append(str(rs.getString("label")));
            probs.append(sep).append(rs.getString("p")); // jsonb text is JSON
            sep = ",";
          }
        }
      }
      conn.commit();
      conn.setAutoCommit(true);
      out.append(",\"fetched\":{\"ids\":[").append(ids).append("],\"labels\":[").append(labels)
          .append("],\"probabilities\":[").append(probs).append("]}");

      out.append(",\"probabilities\":[");
      double[][] pairs = {{0.5, 0.5}, {5, 5}, {9.5, 9.5}};
      try (PreparedStatement ps = conn.prepareStatement("SELECT drv_fn_probabilities(?, ?) AS p")) {
        for (int i = 0; i < pairs.length; i++) {
          ps.setDouble(1, pairs[i][0]);
          ps.setDouble(2, pairs[i][1]);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            out.append(i > 0 ? "," : "").append("{\"a\":").append(pairs[i][0]).append(",\"b\":").append(pairs[i][1])
                .append(",\"value\":").append(rs.getString("p")).append("}");
          }
        }
      }
      out.append("]");

      out.append(",\"showModel\":{");
      try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SHOW MODEL drv_model")) {
        String sep = "";
        while (rs.next()) {
          String key = rs.getString("Key");
          if (key == null || key.isEmpty()) continue;
          out.append(sep).append(str(key)).append(":").append(str(rs.getString("Value")));
          sep = ",";
        }
      }
      out.append("}");

      // What a BI tool's function browser calls: getFunctions and getFunctionColumns (on PostgreSQL 11
      // and later pgJDBC's getProcedures lists only procedures, prokind 'p'; a model function is a function).
      DatabaseMetaData md = conn.getMetaData();
      String schema = conn.getSchema();
      out.append(",\"functions\":[");
      try (ResultSet fns = md.getFunctions(null, schema, "drv\\_fn%")) {
        String sep = "";
        while (fns.next()) {
          String name = fns.getString("FUNCTION_NAME");
          out.append(sep).append("{\"name\":").append(str(name)).append(",\"columns\":[");
          try (ResultSet cols = md.getFunctionColumns(null, schema, name, null)) {
            String csep = "";
            while (cols.next()) {
              if (cols.getInt("COLUMN_TYPE") != DatabaseMetaData.functionColumnIn) continue;
              out.append(csep).append("{\"name\":").append(str(cols.getString("COLUMN_NAME")))
                  .append(",\"type\":").append(str(cols.getString("TYPE_NAME"))).append("}");
              csep = ",";
            }
          }
          out.append("]}");
          sep = ",";
        }
      }
      out.append("]");

      try (Statement st = conn.createStatement()) {
        st.executeQuery("SHOW MODEL no_such_model");
        throw new IllegalStateException("SHOW MODEL no_such_model succeeded");
      } catch (SQLException e) {
        out.append(",\"error\":{\"sqlstate\":").append(str(e.getSQLState())).append(",\"type\":")
            .append(str(e.getClass().getName())).append("}");
      }
    }
    System.out.println(out.append("}"));
  }

  /** A JSON string (or null). */
  static String str(String s) {
    if (s == null) return "null";
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }
}
