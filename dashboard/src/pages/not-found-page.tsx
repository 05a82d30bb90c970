import { usePageTitle } from "../components/page-title.ts";
import { Link } from "../router/router.tsx";
import { paths } from "../router/paths.ts";

export function NotFoundPage({ message }: { message: string }) {
  usePageTitle("Not found");
  return (
    <>
      <h1>Not found</h1>
      <p>{message}</p>
      <p><Link to={paths.home}>Go to your workspace</Link></p>
    </>
  );
}
