// The knowledge graph (Boost.Graph): agents, classes and systems as vertices; memberships,
// sub-classes and effects as edges. Answers explanation questions and exports DOT.
#pragma once

#include <iosfwd>
#include <span>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "knowledge.hpp"

namespace combocheck {

enum class VertexKind : std::uint8_t { agent, klass, system };
enum class EdgeKind : std::uint8_t { member_of, subclass_of, effect };

struct GraphVertex {
    VertexKind kind{};
    std::uint32_t index = 0;  // into agents(), classes() or systems()
};

struct GraphEdge {
    EdgeKind kind{};
    const Effect* effect = nullptr;  // for EdgeKind::effect
};

using GraphType =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, GraphVertex, GraphEdge>;
using GraphVertexId = GraphType::vertex_descriptor;

class KnowledgeGraph {
  public:
    explicit KnowledgeGraph(const KnowledgeBase& kb);

    const GraphType& graph() const { return graph_; }
    GraphVertexId vertex(AgentId id) const { return index_of(id); }
    GraphVertexId vertex(ClassId id) const { return class_base_ + index_of(id); }
    GraphVertexId vertex(SystemId id) const { return system_base_ + index_of(id); }

  private:
    GraphType graph_;
    std::size_t class_base_ = 0;
    std::size_t system_base_ = 0;
};

// What to draw: everything, or the part of the graph that a list of agents touches (the agents,
// their classes, the systems they act on) plus the rules that fired, linked to their agents.
struct GraphSelection {
    std::vector<AgentId> agents;  // empty: the whole knowledge base
    std::vector<RuleId> fired_rules;
};

void write_dot(std::ostream& out, const KnowledgeBase& kb, const GraphSelection& selection);

}  // namespace combocheck
