package dev.chorus.load.harness.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What one thin client knows of the board, enough to address elements: the columns, the cards in
 * each (learnt from its own acks and from the {@code ops} of others' {@code change} frames), the
 * plan steps, its own cards. It can be stale (a card moved or deleted by someone else since): the
 * server then refuses the batch ({@code path_not_found}), as it would a real client's. Used on the
 * client's context only.
 */
public final class BoardView {
  private final List<String> columns;
  private final List<String> tasks;
  private final Map<String, String> cardColumn = new HashMap<>();
  private final List<String> cards = new ArrayList<>();
  private final List<String> ownCards = new ArrayList<>();
  private final List<String> plan = new ArrayList<>();

  public BoardView(Board board) {
    this.columns = board.columns();
    this.tasks = board.tasks();
  }

  public List<String> columns() {
    return columns;
  }

  public List<String> tasks() {
    return tasks;
  }

  public int cardCount() {
    return cards.size();
  }

  public int ownCardCount() {
    return ownCards.size();
  }

  public String randomCard(Random r) {
    return cards.isEmpty() ? null : cards.get(r.nextInt(cards.size()));
  }

  public String randomOwnCard(Random r) {
    return ownCards.isEmpty() ? null : ownCards.get(r.nextInt(ownCards.size()));
  }

  public String randomStep(Random r) {
    return plan.isEmpty() ? null : plan.get(r.nextInt(plan.size()));
  }

  public String columnOf(String card) {
    return cardColumn.get(card);
  }

  /** Path of a card as this client believes it is. */
  public String cardPath(String card) {
    return "board/columns/" + cardColumn.get(card) + "/cards/" + card;
  }

  public void cardAdded(String column, String card, boolean own) {
    if (cardColumn.put(card, column) == null) {
      cards.add(card);
      if (own) {
        ownCards.add(card);
      }
    }
  }

  public void cardMoved(String card, String column) {
    if (cardColumn.containsKey(card)) {
      cardColumn.put(card, column);
    }
  }

  public void cardDeleted(String card) {
    if (cardColumn.remove(card) != null) {
      cards.remove(card);
      ownCards.remove(card);
    }
  }

  public void stepAdded(String step) {
    plan.add(step);
  }

  /** Learns from the applied {@code ops} of a {@code change} frame (someone else's batch). */
  public void learn(JsonNode ops) {
    for (JsonNode op : ops) {
      String kind = op.path("op").asText();
      String[] path = op.path("path").asText().split("/");
      switch (kind) {
        case "insert" -> {
          if (path.length == 4 && path[0].equals("board") && path[3].equals("cards")) {
            cardAdded(path[2], op.path("id").asText(), false);
          } else if (path.length == 1 && path[0].equals("plan")) {
            stepAdded(op.path("id").asText());
          }
        }
        case "move" -> {
          String[] to = op.path("to").asText().split("/");
          if (path.length == 5 && to.length == 4 && to[3].equals("cards")) {
            cardMoved(path[4], to[2]);
          }
        }
        case "delete" -> {
          if (path.length == 5 && path[0].equals("board") && path[3].equals("cards")) {
            cardDeleted(path[4]);
          }
        }
        default -> {}
      }
    }
  }
}
