using Workspace.Domain;

namespace Workspace.Web.Requests;

public sealed record NewInvoice(string Number, InvoiceKind Kind, decimal Total, string CustomerEmail);
