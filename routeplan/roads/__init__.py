"""Travel on real streets: road networks read from GraphML or OpenStreetMap extracts
(:mod:`~routeplan.roads.files`, by the rules of :mod:`~routeplan.roads.rules`), held as flat
arrays (:mod:`~routeplan.roads.network`) and turned into travel times and distances between
points (:mod:`~routeplan.roads.travel`)."""
