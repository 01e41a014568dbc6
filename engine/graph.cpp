// Builds the Boost.Graph model of the knowledge base and writes it (or a part of it) as DOT.
#include "graph.hpp"

#include <algorithm>
#include <ostream>
#include <set>

// Boost.Graph's edge iterators hold a boost::optional that GCC 12 reports, falsely, as
// maybe-uninitialized once inlined here.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/graph/graphviz.hpp>

namespace combocheck {

KnowledgeGraph::KnowledgeGraph(const KnowledgeBase& kb) {
    for (std::uint32_t i = 0; i < kb.agents().size(); ++i) {
        boost::add_vertex(GraphVertex{VertexKind::agent, i}, graph_);
    }
    class_base_ = boost::num_vertices(graph_);
    for (std::uint32_t i = 0; i < kb.classes().size(); ++i) {
        boost::add_vertex(GraphVertex{VertexKind::klass, i}, graph_);
    }
    system_base_ = boost::num_vertices(graph_);
    for (std::uint32_t i = 0; i < kb.systems().size(); ++i) {
        boost::add_vertex(GraphVertex{VertexKind::system, i}, graph_);
    }
    for (std::uint32_t i = 0; i < kb.agents().size(); ++i) {
        const Agent& a = kb.agents()[i];
        for (const ClassId c : a.classes) {
            boost::add_edge(vertex(AgentId{i}), vertex(c), GraphEdge{EdgeKind::member_of}, graph_);
        }
        for (const Effect& e : a.effects) {
            boost::add_edge(vertex(AgentId{i}), vertex(e.system), GraphEdge{EdgeKind::effect, &e},
                            graph_);
        }
    }
    for (std::uint32_t i = 0; i < kb.classes().size(); ++i) {
        const Class& c = kb.classes()[i];
        for (const ClassId p : c.parents) {
            boost::add_edge(vertex(ClassId{i}), vertex(p), GraphEdge{EdgeKind::subclass_of},
                            graph_);
        }
        for (const Effect& e : c.effects) {
            boost::add_edge(vertex(ClassId{i}), vertex(e.system), GraphEdge{EdgeKind::effect, &e},
                            graph_);
        }
    }
}

namespace {

struct DotVertex {
    std::string id;
    std::string label;
    std::string shape;
    std::string colour;
};

struct DotEdge {
    std::string label;
    std::string style;
};

using DotGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, DotVertex, DotEdge>;

std::string effect_label(const Effect& e) {
    std::string label(to_string(e.action));
    char buffer[32];
    switch (e.action) {
        case Action::increases:
        case Action::decreases:
            std::snprintf(buffer, sizeof buffer, " %g", e.weight);
            label += buffer;
            break;
        case Action::inhibits:
        case Action::induces:
            label += " (" + std::string(to_string(e.strength)) + ")";
            break;
        case Action::substrate:
            label +=
                " (" + std::string(to_string(e.sensitivity)) + (e.prodrug ? ", prodrug" : "") + ")";
            break;
    }
    return label;
}

// Quotes a DOT identifier or label.
std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

}  // namespace

void write_dot(std::ostream& out, const KnowledgeBase& kb, const GraphSelection& selection) {
    const GraphType& g = kb.graph().graph();
    // Which model vertices to draw.
    std::set<GraphVertexId> keep;
    if (selection.agents.empty()) {
        for (GraphVertexId v = 0; v < boost::num_vertices(g); ++v)
            keep.insert(v);
    } else {
        for (const AgentId a : selection.agents) {
            keep.insert(kb.graph().vertex(a));
            for (const ClassId c : kb.classes_of(a))
                keep.insert(kb.graph().vertex(c));
            for (const AgentEffect& e : kb.effects_of(a)) {
                keep.insert(kb.graph().vertex(e.effect->system));
            }
        }
    }

    std::set<const Effect*> carried;
    for (const AgentId a : selection.agents) {
        for (const AgentEffect& e : kb.effects_of(a))
            carried.insert(e.effect);
    }

    DotGraph dot;
    std::vector<std::size_t> dot_vertex(boost::num_vertices(g), SIZE_MAX);
    for (const GraphVertexId v : keep) {
        const GraphVertex& gv = g[v];
        DotVertex d;
        switch (gv.kind) {
            case VertexKind::agent: {
                const Agent& a = kb.agents()[gv.index];
                d = {"agent:" + a.id, a.name, "box", "#1f77b4"};
                break;
            }
            case VertexKind::klass: {
                const Class& c = kb.classes()[gv.index];
                d = {"class:" + c.id, c.name, "ellipse", "#7f7f7f"};
                break;
            }
            case VertexKind::system: {
                const System& s = kb.systems()[gv.index];
                d = {"system:" + s.id, s.name, "hexagon", "#2ca02c"};
                break;
            }
        }
        dot_vertex[v] = boost::add_vertex(d, dot);
    }
    const auto agent_selected = [&](std::uint32_t index) {
        return selection.agents.empty() ||
               std::find(selection.agents.begin(), selection.agents.end(), AgentId{index}) !=
                   selection.agents.end();
    };
    for (auto [it, end] = boost::edges(g); it != end; ++it) {
        const GraphVertexId from = boost::source(*it, g);
        const GraphVertexId to = boost::target(*it, g);
        if (dot_vertex[from] == SIZE_MAX || dot_vertex[to] == SIZE_MAX) continue;
        if (g[from].kind == VertexKind::agent && !agent_selected(g[from].index)) continue;
        const GraphEdge& e = g[*it];
        // In a check's subgraph, draw only the effects the agents really carry: a class's
        // effect that every selected member overrides would mislead.
        if (e.kind == EdgeKind::effect && !selection.agents.empty() &&
            carried.count(e.effect) == 0) {
            continue;
        }
        DotEdge d;
        switch (e.kind) {
            case EdgeKind::member_of:
                d = {"member of", "dashed"};
                break;
            case EdgeKind::subclass_of:
                d = {"is a", "dashed"};
                break;
            case EdgeKind::effect:
                d = {effect_label(*e.effect), "solid"};
                break;
        }
        boost::add_edge(dot_vertex[from], dot_vertex[to], d, dot);
    }
    // Fired rules: a node each, linked from the systems or classes they read.
    for (const RuleId r : selection.fired_rules) {
        const Rule& rule = kb.rule(r);
        const auto rv = boost::add_vertex(
            DotVertex{"rule:" + rule.id, rule.id + "\n(" + kb.risk(rule.risk).id + ")", "octagon",
                      "#d62728"},
            dot);
        const auto link = [&](GraphVertexId model) {
            if (dot_vertex[model] != SIZE_MAX) {
                boost::add_edge(dot_vertex[model], rv, DotEdge{"", "bold"}, dot);
            }
        };
        if (const auto* b = std::get_if<BurdenRule>(&rule.detail))
            link(kb.graph().vertex(b->system));
        if (const auto* o = std::get_if<OppositionRule>(&rule.detail)) {
            link(kb.graph().vertex(o->system));
        }
        if (const auto* d = std::get_if<DuplicationRule>(&rule.detail)) {
            for (const ClassId c : d->classes)
                link(kb.graph().vertex(c));
        }
        if (std::holds_alternative<PharmacokineticRule>(rule.detail) ||
            std::holds_alternative<CombinationRule>(rule.detail)) {
            for (const AgentId a : selection.agents)
                link(kb.graph().vertex(a));
        }
    }

    boost::write_graphviz(
        out, dot,
        [&](std::ostream& o, std::size_t v) {
            const DotVertex& d = dot[v];
            o << "[label=" << quoted(d.label) << ", shape=" << d.shape
              << ", color=" << quoted(d.colour) << ", tooltip=" << quoted(d.id) << "]";
        },
        [&](std::ostream& o, const DotGraph::edge_descriptor& e) {
            const DotEdge& d = dot[e];
            o << "[label=" << quoted(d.label) << ", style=" << d.style << "]";
        },
        [](std::ostream& o) { o << "rankdir=LR;\nnode [fontname=\"Helvetica\"];\n"; });
}

}  // namespace combocheck
