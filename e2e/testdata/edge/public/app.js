console.log("app of the edge fixture");
