package service

import (
	"fmt"
	"net/http"
)

// maxQuantity bounds one reservation.
const maxQuantity = 10

// reservationRequest is the optional body of POST /books/{id}/reserve.
type reservationRequest struct {
	Quantity *int `json:"quantity"`
}

// reservation is the body of a successful POST /books/{id}/reserve.
type reservation struct {
	ID       int64 `json:"id"`
	Reserved int   `json:"reserved"`
	Stock    int   `json:"stock"`
}

// reserveBook serves POST /books/{id}/reserve: it takes quantity copies (1
// when there is no body) out of stock under the store's exclusive lock, or
// answers 409 when fewer are left.
func (s *server) reserveBook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	quantity, err := readQuantity(w, r)
	if err != nil {
		return err
	}
	left, res := s.store.reserve(id, quantity)
	switch res {
	case notFound:
		return notFoundError(id)
	case outOfStock:
		s.stats.reserveConflicts.Add(1)
		return errorf(http.StatusConflict, codeOutOfStock, "book %d has %d in stock, %d requested", id, left, quantity)
	}
	s.stats.reservations.Add(1)
	writeJSON(w, http.StatusOK, reservation{ID: id, Reserved: quantity, Stock: left})
	return nil
}

// readQuantity reads the optional reservation body; no body means 1.
func readQuantity(w http.ResponseWriter, r *http.Request) (int, error) {
	if r.ContentLength == 0 {
		return 1, nil
	}
	var req reservationRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return 0, err
	}
	if req.Quantity == nil {
		return 1, nil
	}
	if q := *req.Quantity; q < 1 || q > maxQuantity {
		e := errorf(http.StatusBadRequest, codeValidation, "reservation is invalid: quantity %d is outside 1..%d", q, maxQuantity)
		e.Fields = []fieldError{{Name: "quantity", Reason: fmt.Sprintf("must be between 1 and %d", maxQuantity)}}
		return 0, e
	}
	return *req.Quantity, nil
}
