// Package petstore is an in-memory pet store for slaspec's own tests,
// modelled on the petstore-expanded example server of oapi-codegen (the
// document is contract/testdata/specs/oapi-codegen__petstore-expanded.yaml):
// pets are numbered from 1000, GET /pets filters by tags and limit, and an
// unknown id is a 404 with an Error body. Unlike the upstream example it
// keeps its document: addPet answers 200 with JSON, an empty list is [].
package petstore

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// FirstID is the id of the first pet a store creates.
const FirstID = 1000

// Pet is one pet.
type Pet struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Tag  string `json:"tag,omitempty"`
}

// Store holds the pets. It is safe for concurrent use.
type Store struct {
	mu   sync.Mutex
	pets map[int64]Pet
	next int64
}

// New returns an empty store.
func New() *Store { return &Store{pets: map[int64]Pet{}, next: FirstID} }

// Add stores a pet and returns it with its id.
func (s *Store) Add(name, tag string) Pet {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := Pet{ID: s.next, Name: name, Tag: tag}
	s.pets[p.ID] = p
	s.next++
	return p
}

// Len returns the number of pets.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pets)
}

// Handler serves the store's API under basePath ("" or "/api"), and, when
// spec is not empty, the document at basePath+"/openapi.yaml".
func (s *Store) Handler(basePath string, spec []byte) http.Handler {
	basePath = strings.TrimSuffix(basePath, "/")
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+basePath+"/pets", s.find)
	mux.HandleFunc("POST "+basePath+"/pets", s.add)
	mux.HandleFunc("GET "+basePath+"/pets/{id}", s.get)
	mux.HandleFunc("DELETE "+basePath+"/pets/{id}", s.delete)
	if len(spec) > 0 {
		mux.HandleFunc("GET "+basePath+"/openapi.yaml", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/yaml")
			w.Write(spec)
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no route "+r.URL.Path)
	})
	return mux
}

func (s *Store) find(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tags := q["tags"]
	if len(tags) == 1 && strings.Contains(tags[0], ",") {
		tags = strings.Split(tags[0], ",")
	}
	limit := -1
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil {
			writeError(w, http.StatusBadRequest, "limit: "+err.Error())
			return
		}
		limit = n
	}
	s.mu.Lock()
	out := make([]Pet, 0, len(s.pets))
	for _, p := range s.pets {
		if len(tags) == 0 || slices.Contains(tags, p.Tag) {
			out = append(out, p)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b Pet) int { return int(a.ID - b.ID) })
	if limit >= 0 && len(out) > limit {
		out = out[:limit]
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Store) add(w http.ResponseWriter, r *http.Request) {
	var p Pet
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&p); err != nil || p.Name == "" {
		writeError(w, http.StatusBadRequest, "want a NewPet with a name")
		return
	}
	writeJSON(w, http.StatusOK, s.Add(p.Name, p.Tag))
}

func (s *Store) get(w http.ResponseWriter, r *http.Request) {
	id, ok := petID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	p, found := s.pets[id]
	s.mu.Unlock()
	if !found {
		writeError(w, http.StatusNotFound, fmt.Sprintf("Could not find pet with ID %d", id))
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Store) delete(w http.ResponseWriter, r *http.Request) {
	id, ok := petID(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	_, found := s.pets[id]
	delete(s.pets, id)
	s.mu.Unlock()
	if !found {
		writeError(w, http.StatusNotFound, fmt.Sprintf("Could not find pet with ID %d", id))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func petID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusBadRequest, "id: "+err.Error())
		return 0, false
	}
	return id, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"code": status, "message": msg})
}
