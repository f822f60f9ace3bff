package dev.chorus.server.agent.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.chorus.crdt.Path;
import dev.chorus.server.access.SessionAccess;
import dev.chorus.server.protocol.ChorusException;
import dev.chorus.server.protocol.ErrorCode;
import dev.chorus.server.protocol.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The arguments of one tool call, read with the protocol's own errors: a missing or wrongly typed
 * argument is {@code bad_frame} naming the argument, as a bad field of a frame is.
 */
final class ToolArgs {
  private final ObjectNode args;

  ToolArgs(Map<String, Object> arguments) {
    this.args =
        arguments == null ? Values.NODES.objectNode() : Values.MAPPER.valueToTree(arguments);
  }

  ObjectNode json() {
    return args;
  }

  String string(String name) {
    String s = optionalString(name);
    if (s == null) {
      throw bad(name, "is required (a string)");
    }
    return s;
  }

  String optionalString(String name) {
    JsonNode n = args.get(name);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw bad(name, "must be a string");
    }
    return n.textValue();
  }

  long integer(String name, long min, long max, long dflt) {
    JsonNode n = args.get(name);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.canConvertToLong() || !n.isIntegralNumber() || n.asLong() < min || n.asLong() > max) {
      throw bad(name, "must be an integer from " + min + " to " + max);
    }
    return n.asLong();
  }

  /** A list of paths; the whole document (the root) when absent. */
  List<Path> paths(String name) {
    JsonNode n = args.get(name);
    if (n == null || n.isNull()) {
      return List.of(Path.ROOT);
    }
    if (!n.isArray() || n.isEmpty()) {
      throw bad(name, "must be a non-empty array of paths");
    }
    List<Path> out = new ArrayList<>();
    for (JsonNode p : n) {
      if (!p.isTextual()) {
        throw bad(name, "must hold strings");
      }
      out.add(SessionAccess.path(name, p.textValue()));
    }
    return out;
  }

  static ChorusException bad(String name, String what) {
    return new ChorusException(ErrorCode.BAD_FRAME, "argument " + name + " " + what);
  }
}
